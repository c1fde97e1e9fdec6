/* esp/device.c and esp/mount.c: libblkid and libfdisk on disk images built with sfdisk and
 * mkfs.vfat (make-images.sh), the format/init checks on those probes, mountinfo parsing, and
 * the private mount namespace (child processes; skipped without CAP_SYS_ADMIN). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "esp/device.h"
#include "esp/mount.h"
#include "lib/fault.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/spawn.h"

static char tmpdir[] = "/tmp/esp-device-XXXXXX";
static bool have_ext4;
static struct paths real_paths;

static char *img(const char *name) {
        char *p = path_join(tmpdir, name);
        assert_non_null(p);
        return p;
}

static int group_setup(void **state) {
        (void)state;
        if (!mkdtemp(tmpdir))
                return -1;
        char *argv[] = { "bash", MAKE_IMAGES, tmpdir, NULL };
        int st;
        if (spawn_run(argv, NULL, &st) < 0 || st != 0)
                return -1;
        char *mke2fs = spawn_find_program("mke2fs");
        have_ext4 = mke2fs != NULL;
        free(mke2fs);
        return paths_init(&real_paths, "/", NULL, NULL, NULL, NULL);
}

static int group_teardown(void **state) {
        (void)state;
        char *argv[] = { "rm", "-rf", tmpdir, NULL };
        int st;
        spawn_run(argv, NULL, &st);
        paths_free(&real_paths);
        return 0;
}

/* --- probing images ------------------------------------------------------------------------ */

static void test_probe_gpt_esp_vfat(void **state) {
        (void)state;
        _cleanup_free_ char *gpt = img("gpt.img");
        _cleanup_(esp_device_info_done) struct esp_device_info i = {};
        assert_int_equal(esp_device_probe_image(gpt, 1, &i), 0);
        assert_true(i.is_partition);
        assert_int_equal(i.partno, 1);
        assert_string_equal(i.scheme, "gpt");
        assert_string_equal(i.part_type, ESP_TYPE_GUID);
        assert_string_equal(i.part_uuid, "5e1a0000-0000-4000-8000-0000000000a1");
        assert_int_equal(i.offset, 2048 * 512);
        assert_int_equal(i.size, 300ULL << 20);
        assert_string_equal(i.fstype, "vfat");
        assert_string_equal(i.uuid, "2F7A-2067");
        assert_string_equal(i.label, "ESPTEST");
        assert_false(i.ambivalent);
        assert_string_equal(i.disk, gpt);
}

static void test_probe_gpt_other_partitions(void **state) {
        (void)state;
        _cleanup_free_ char *gpt = img("gpt.img");
        struct esp_device_info i;
        assert_int_equal(esp_device_probe_image(gpt, 2, &i), 0);
        assert_string_equal(i.part_type, "0fc63daf-8483-4772-8e79-3d69d8477de4");
        assert_null(i.fstype);
        assert_null(i.uuid);
        esp_device_info_done(&i);

        assert_int_equal(esp_device_probe_image(gpt, 3, &i), 0);
        assert_string_equal(i.part_type, ESP_TYPE_GUID);
        assert_int_equal(i.size, 200ULL << 20);
        assert_null(i.fstype);
        esp_device_info_done(&i);

        assert_int_equal(esp_device_probe_image(gpt, 4, &i), 0);
        assert_int_equal(i.offset, 1640448ULL * 512);
        if (have_ext4)
                assert_string_equal(i.fstype, "ext4");
        esp_device_info_done(&i);

        assert_int_equal(esp_device_probe_image(gpt, 6, &i), -ENXIO);
        assert_null(i.devpath);
}

static void test_probe_mbr(void **state) {
        (void)state;
        _cleanup_free_ char *mbr = img("mbr.img");
        _cleanup_(esp_device_info_done) struct esp_device_info i = {};
        assert_int_equal(esp_device_probe_image(mbr, 1, &i), 0);
        assert_string_equal(i.scheme, "dos");
        assert_string_equal(i.part_type, ESP_MBR_TYPE);
        assert_int_equal(i.size, 300ULL << 20);
        assert_string_equal(i.fstype, "vfat");
        assert_string_equal(i.uuid, "A0B1-C2D3");
}

static void test_probe_whole_files(void **state) {
        (void)state;
        _cleanup_free_ char *fs = img("fs.img"), *empty = img("empty.img");
        struct esp_device_info i;
        /* A regular file is no device unless the caller allows it. */
        assert_int_equal(esp_device_probe(&real_paths, fs, 0, &i), -ENOTBLK);
        assert_int_equal(esp_device_probe(&real_paths, fs, ESP_PROBE_ALLOW_FILE, &i), 0);
        assert_false(i.is_block);
        assert_false(i.is_partition);
        assert_string_equal(i.fstype, "vfat");
        assert_string_equal(i.uuid, "1234-ABCD");
        assert_int_equal(i.size, 300ULL << 20);
        esp_device_info_done(&i);

        assert_int_equal(esp_device_probe_image(empty, 0, &i), 0);
        assert_null(i.fstype);
        assert_int_equal(i.size, 64ULL << 20);
        esp_device_info_done(&i);

        assert_int_equal(esp_device_probe(&real_paths, "/dev/null", ESP_PROBE_ALLOW_FILE, &i), -ENOTBLK);
        _cleanup_free_ char *none = img("does-not-exist");
        assert_int_equal(esp_device_probe(&real_paths, none, ESP_PROBE_ALLOW_FILE, &i), -ENOENT);
}

/* libfdisk reads the same tables libblkid saw. */
static void test_fdisk_table_matches_blkid(void **state) {
        (void)state;
        _cleanup_free_ char *gpt = img("gpt.img"), *mbr = img("mbr.img"), *empty = img("empty.img");
        struct esp_part_table t;
        assert_int_equal(esp_disk_read_table(gpt, &t), 0);
        assert_string_equal(t.scheme, "gpt");
        assert_int_equal(t.n, 5);
        for (size_t k = 0; k < t.n; k++) {
                struct esp_device_info i;
                assert_int_equal(t.parts[k].partno, k + 1);
                assert_int_equal(esp_device_probe_image(gpt, t.parts[k].partno, &i), 0);
                assert_string_equal(t.parts[k].type, i.part_type);
                assert_string_equal(t.parts[k].uuid, i.part_uuid);
                assert_int_equal(t.parts[k].start, i.offset);
                assert_int_equal(t.parts[k].size, i.size);
                esp_device_info_done(&i);
        }
        esp_part_table_done(&t);

        assert_int_equal(esp_disk_read_table(mbr, &t), 0);
        assert_string_equal(t.scheme, "dos");
        assert_int_equal(t.n, 1);
        assert_string_equal(t.parts[0].type, "0xef");
        assert_null(t.parts[0].uuid);
        assert_int_equal(t.parts[0].start, 2048 * 512);
        esp_part_table_done(&t);

        assert_int_equal(esp_disk_read_table(empty, &t), -ENOMEDIUM);
        assert_null(t.parts);
}

/* --- checks -------------------------------------------------------------------------------- */

static int check_image(const char *name, unsigned partno, unsigned flags, const char *mounted_on,
                       const char *duplicate, struct esp_check *c) {
        _cleanup_free_ char *path = img(name);
        *c = (struct esp_check){};
        assert_int_equal(esp_device_probe_image(path, partno, &c->info), 0);
        if (mounted_on)
                c->mounted_on = strdup(mounted_on);
        if (duplicate)
                assert_int_equal(strv_push(&c->duplicates, duplicate), 0);
        return esp_check_evaluate(c, flags);
}

static void expect_refusal(const char *name, unsigned partno, unsigned flags, const char *mounted_on,
                           const char *duplicate, const char *expected_tail) {
        struct esp_check c;
        assert_int_equal(check_image(name, partno, flags, mounted_on, duplicate, &c), -EINVAL);
        _cleanup_free_ char *path = img(name), *expected = NULL;
        assert_true(asprintf(&expected, "%s: %s", path, expected_tail) > 0);
        assert_string_equal(c.reason, expected);
        esp_check_done(&c);
}

static void test_check_format_refusals(void **state) {
        (void)state;
        _cleanup_free_ char *gpt = img("gpt.img"), *hint = NULL;
        expect_refusal("gpt.img", 0, 0, NULL, NULL, "not a partition");
        expect_refusal("mbr.img", 1, 0, NULL, NULL,
                       "partition table is MBR (dos), expected GPT; MBR disks are not converted");
        assert_true(asprintf(&hint, "partition type is 0fc63daf-8483-4772-8e79-3d69d8477de4, "
                             "expected the ESP type " ESP_TYPE_GUID "; set the type first, e.g. "
                             "`sgdisk -t 2:EF00 %s`", gpt) > 0);
        expect_refusal("gpt.img", 2, 0, NULL, NULL, hint);
        expect_refusal("gpt.img", 3, 0, NULL, NULL,
                       "size 200M (209715200 bytes) is too small, expected at least 256 MiB");
        expect_refusal("gpt.img", 1, 0, NULL, NULL, "contains a vfat filesystem (use --force)");
        if (have_ext4)
                expect_refusal("gpt.img", 4, 0, NULL, NULL, "contains an ext4 filesystem (use --force)");
        /* Mounted is refused even with --force. */
        expect_refusal("gpt.img", 5, ESP_CHECK_ALLOW_FS, "/boot/efi", NULL, "mounted on /boot/efi");
}

static void test_check_format_accepts(void **state) {
        (void)state;
        struct esp_check c;
        assert_int_equal(check_image("gpt.img", 5, 0, NULL, NULL, &c), 0);
        assert_null(c.reason);
        assert_int_equal(c.warnings.n, 0);
        esp_check_done(&c);

        /* --force over a filesystem; 300 MiB warns. */
        assert_int_equal(check_image("gpt.img", 1, ESP_CHECK_ALLOW_FS, NULL, NULL, &c), 0);
        assert_int_equal(c.warnings.n, 1);
        _cleanup_free_ char *gpt = img("gpt.img"), *w = NULL;
        assert_true(asprintf(&w, "%s: size 300M is below the recommended 512 MiB (room for about "
                             "three kernels)", gpt) > 0);
        assert_string_equal(c.warnings.v[0], w);
        esp_check_done(&c);
}

static void test_check_init(void **state) {
        (void)state;
        unsigned init = ESP_CHECK_NEED_FS | ESP_CHECK_UNIQUE_SERIAL;
        struct esp_check c;
        assert_int_equal(check_image("gpt.img", 1, init, NULL, NULL, &c), 0);
        assert_int_equal(c.warnings.n, 1); /* size */
        esp_check_done(&c);

        expect_refusal("gpt.img", 5, init, NULL, NULL,
                       "no filesystem, expected vfat (run espctl format first)");
        if (have_ext4)
                expect_refusal("gpt.img", 4, init, NULL, NULL,
                               "contains an ext4 filesystem, expected vfat");
        expect_refusal("gpt.img", 1, init, NULL, "/dev/sdz1",
                       "serial 2F7A-2067 is also carried by /dev/sdz1; give the cloned disk a new serial");
        expect_refusal("gpt.img", 1, init, "/boot/efi", NULL, "mounted on /boot/efi");
        expect_refusal("mbr.img", 1, init, NULL, NULL,
                       "partition table is MBR (dos), expected GPT; MBR disks are not converted");

        /* init --force on a mounted ESP: a warning, not a refusal. */
        assert_int_equal(check_image("gpt.img", 1, init | ESP_CHECK_ALLOW_MOUNTED, "/boot/efi", NULL, &c), 0);
        assert_int_equal(c.warnings.n, 2);
        assert_non_null(strstr(c.warnings.v[1], ": mounted on /boot/efi; other tools may write it too"));
        esp_check_done(&c);
}

/* The device-level entry points on a regular file: refused as "not a block device". */
static void test_check_device_not_block(void **state) {
        (void)state;
        _cleanup_free_ char *gpt = img("gpt.img"), *expected = NULL, *reason = NULL;
        struct esp_check c;
        assert_int_equal(esp_device_check(&real_paths, gpt, 0, &c), -EINVAL);
        assert_true(asprintf(&expected, "%s: not a block device", gpt) > 0);
        assert_string_equal(c.reason, expected);
        esp_check_done(&c);
        assert_int_equal(esp_device_check_partition(&real_paths, gpt, false, false, false, &reason), -EINVAL);
        assert_string_equal(reason, expected);
        assert_int_equal(esp_device_verify_serial(&real_paths, gpt, "2F7A-2067", &c), -EINVAL);
        assert_string_equal(c.reason, expected);
        esp_check_done(&c);
        _cleanup_free_ char *none = img("nope"), *r2 = NULL;
        assert_int_equal(esp_device_check_partition(&real_paths, none, false, false, false, &r2), -ENOENT);
        assert_null(r2);
        assert_int_equal(esp_device_verify_serial(&real_paths, none, "2F7A-2067", &c), -ENOENT);
        esp_check_done(&c);
}

/* --- mountinfo ----------------------------------------------------------------------------- */

static const char mountinfo[] =
        "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "garbage line\n"
        "40 22 8:17 / /boot/efi\\040old rw,nosuid shared:5 - vfat /dev/sdb1 rw,umask=0077\n"
        "41 22 8:17 / /mnt/second rw shared:6 - vfat /dev/sdb1 rw\n"
        "42 22 8:33 /sub /srv\\134x rw - vfat /dev/sdc1 rw\n";

static void test_mountinfo_find(void **state) {
        (void)state;
        char *where = NULL;
        assert_int_equal(esp_mountinfo_find(mountinfo, strlen(mountinfo), makedev(8, 17), &where), 1);
        assert_string_equal(where, "/boot/efi old"); /* first match, unescaped */
        free(where);
        assert_int_equal(esp_mountinfo_find(mountinfo, strlen(mountinfo), makedev(8, 33), &where), 1);
        assert_string_equal(where, "/srv\\x");
        free(where);
        assert_int_equal(esp_mountinfo_find(mountinfo, strlen(mountinfo), makedev(8, 18), NULL), 0);
        assert_int_equal(esp_mountinfo_find(mountinfo, strlen(mountinfo), makedev(8, 1), NULL), 0);
        assert_int_equal(esp_mountinfo_find("", 0, makedev(8, 17), NULL), 0);
}

static void test_is_mounted_fake_proc(void **state) {
        (void)state;
        _cleanup_free_ char *proc = img("proc"), *self = img("proc/self"), *mi = img("proc/self/mountinfo");
        assert_int_equal(mkdir(proc, 0755), 0);
        assert_int_equal(mkdir(self, 0755), 0);
        FILE *f = fopen(mi, "w");
        assert_non_null(f);
        fputs(mountinfo, f);
        fclose(f);
        struct paths p;
        assert_int_equal(paths_init(&p, "/", NULL, proc, NULL, NULL), 0);
        char *where = NULL;
        assert_int_equal(esp_device_is_mounted(&p, makedev(8, 17), &where), 1);
        assert_string_equal(where, "/boot/efi old");
        free(where);
        assert_int_equal(esp_device_is_mounted(&p, makedev(8, 16), NULL), 0);
        paths_free(&p);
        assert_int_equal(paths_init(&p, "/", NULL, tmpdir, NULL, NULL), 0);
        assert_int_equal(esp_device_is_mounted(&p, makedev(8, 17), NULL), -ENOENT);
        paths_free(&p);
}

/* --- system look-ups ----------------------------------------------------------------------- */

/* A fake sysfs whose partitions have no /dev node: nothing listed, no error. */
static void test_list_fake_sysfs(void **state) {
        (void)state;
        _cleanup_free_ char *sys = img("sys"), *cls = img("sys/class"), *blk = img("sys/class/block"),
                            *part = img("sys/class/block/espctl-test-nodev1"),
                            *pfile = img("sys/class/block/espctl-test-nodev1/partition");
        assert_int_equal(mkdir(sys, 0755), 0);
        assert_int_equal(mkdir(cls, 0755), 0);
        assert_int_equal(mkdir(blk, 0755), 0);
        assert_int_equal(mkdir(part, 0755), 0);
        FILE *f = fopen(pfile, "w");
        assert_non_null(f);
        fputs("1\n", f);
        fclose(f);
        struct paths p;
        assert_int_equal(paths_init(&p, "/", sys, NULL, NULL, NULL), 0);
        struct esp_candidate *c = (void *)1;
        size_t n = 99;
        assert_int_equal(esp_device_list(&p, &c, &n), 0);
        assert_int_equal(n, 0);
        assert_null(c);
        paths_free(&p);

        _cleanup_free_ char *nosys = img("no-sysfs");
        assert_int_equal(paths_init(&p, "/", nosys, NULL, NULL, NULL), 0);
        assert_int_equal(esp_device_list(&p, &c, &n), -ENOENT);
        paths_free(&p);
}

/* Loop devices of integration tests running at the same time may vanish between two calls. */
static bool gone(int r) { return r == -ENOENT || r == -ENXIO || r == -ENODEV; }

/* On the real system every listed candidate is a block device of the ESP type. */
static void test_list_real_system(void **state) {
        (void)state;
        struct esp_candidate *c;
        size_t n;
        assert_int_equal(esp_device_list(&real_paths, &c, &n), 0);
        for (size_t k = 0; k < n; k++) {
                struct esp_device_info i;
                int r = esp_device_probe(&real_paths, c[k].device, 0, &i);
                if (gone(r))
                        continue;
                assert_int_equal(r, 0);
                assert_true(i.is_block && i.is_partition);
                assert_string_equal(i.part_type, ESP_TYPE_GUID);
                esp_device_info_done(&i);
        }
        esp_candidates_free(c, n);
}

/* Serials on image files are invisible to a device scan: nothing found, no error. A serial
 * found on the system must be a block device carrying it. */
static void test_find_by_serial(void **state) {
        (void)state;
        char **devs = (void *)1;
        int r = esp_device_find_by_serial("2f7a-2067", &devs);
        assert_true(r >= 0);
        for (char **d = devs; d && *d; d++) {
                struct esp_device_info i;
                r = esp_device_probe(&real_paths, *d, 0, &i);
                if (!gone(r)) {
                        assert_int_equal(r, 0);
                        assert_string_equal(i.uuid, "2F7A-2067");
                        esp_device_info_done(&i);
                }
                free(*d);
        }
        free(devs);
        char *dev = NULL;
        r = esp_device_lookup_serial("0000-0001", &dev);
        assert_true(r == -ENODEV || r == 0);
        free(dev);
}

static void test_serial_and_size_format(void **state) {
        (void)state;
        assert_true(esp_serial_is_valid("2F7A-2067"));
        assert_true(esp_serial_is_valid("2f7a-2067"));
        assert_false(esp_serial_is_valid("2F7A2067"));
        assert_false(esp_serial_is_valid("2F7A-2067 "));
        assert_false(esp_serial_is_valid("2G7A-2067"));
        assert_false(esp_serial_is_valid(NULL));
        char b[32];
        esp_format_size(300ULL << 20, b, sizeof b);
        assert_string_equal(b, "300M");
        esp_format_size(1536ULL << 20, b, sizeof b);
        assert_string_equal(b, "1.5G");
        esp_format_size(512, b, sizeof b);
        assert_string_equal(b, "512B");
        esp_format_size(1ULL << 30, b, sizeof b);
        assert_string_equal(b, "1G");
}

/* --- mount namespace (root with unshare; else skipped) ------------------------------------- */

enum { CHILD_SKIP = 77 };

/* Runs fn in a forked child with one end of a socket pair; *ret_fd is the parent's end. */
static pid_t in_child(int (*fn)(int fd), int *ret_fd) {
        int pfd[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pfd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pfd[0]);
                _exit(fn(pfd[1]));
        }
        close(pfd[1]);
        *ret_fd = pfd[0];
        return pid;
}

static int wait_child(pid_t pid) {
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

static char ns_dir[256];

/* Child: private namespace, tmpfs on ns_dir, tell the parent the device, wait, unmount. */
static int child_namespace(int wfd) {
        int r = esp_namespace_enter();
        if (r == -EPERM)
                return CHILD_SKIP;
        if (r < 0)
                return 10;
        if (mount("espctl-test", ns_dir, "tmpfs", 0, "size=1m") < 0)
                return 11;
        struct stat st;
        if (stat(ns_dir, &st) < 0)
                return 12;
        struct paths p;
        if (paths_init(&p, "/", NULL, NULL, NULL, NULL) < 0)
                return 13;
        char *where = NULL;
        r = esp_device_is_mounted(&p, st.st_dev, &where);
        paths_free(&p);
        if (r != 1 || !streq(where, ns_dir))
                return 14;
        free(where);
        dev_t dev = st.st_dev;
        if (write(wfd, &dev, sizeof dev) != sizeof dev)
                return 15;
        char go;
        (void)!read(wfd, &go, 1); /* until the parent has looked at its own mountinfo */
        r = esp_unmount(ns_dir);
        if (r != 0)
                return 16;
        if (access(ns_dir, F_OK) == 0) /* the empty mount directory is removed */
                return 17;
        return 0;
}

static void test_namespace_private(void **state) {
        (void)state;
        snprintf(ns_dir, sizeof ns_dir, "%s/ns-mnt", tmpdir);
        assert_int_equal(mkdir(ns_dir, 0700), 0);
        int rfd;
        pid_t pid = in_child(child_namespace, &rfd);
        dev_t dev;
        ssize_t n = read(rfd, &dev, sizeof dev);
        if (n == sizeof dev) {
                /* While the child holds its tmpfs, our namespace does not show it. */
                char *where = NULL;
                assert_int_equal(esp_device_is_mounted(&real_paths, dev, &where), 0);
                assert_null(where);
                struct stat st;
                assert_int_equal(stat(ns_dir, &st), 0);
                assert_true(st.st_dev != dev);
        }
        close(rfd); /* lets the child go on */
        int code = wait_child(pid);
        if (code == CHILD_SKIP) {
                rmdir(ns_dir);
                skip();
        }
        assert_int_equal(code, 0);
        assert_int_equal(n, sizeof dev);
        /* The child's rmdir happened in the shared directory tree, so it is gone here too. */
        assert_int_equal(access(ns_dir, F_OK), -1);
}

/* Child: a tmpfs kept busy by an open file is detached after three tries (return 1). */
static int child_busy_unmount(int wfd) {
        (void)wfd;
        int r = esp_namespace_enter();
        if (r == -EPERM)
                return CHILD_SKIP;
        if (r < 0 || mount("espctl-test", ns_dir, "tmpfs", 0, "size=1m") < 0)
                return 10;
        char f[300];
        snprintf(f, sizeof f, "%s/held", ns_dir);
        int fd = open(f, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
                return 11;
        r = esp_unmount(ns_dir);
        if (r != 1)
                return 12;
        close(fd);
        return access(ns_dir, F_OK) == 0 ? 15 : 0;
}

static void test_unmount_busy_detaches(void **state) {
        (void)state;
        snprintf(ns_dir, sizeof ns_dir, "%s/busy-mnt", tmpdir);
        assert_int_equal(mkdir(ns_dir, 0700), 0);
        int rfd;
        pid_t pid = in_child(child_busy_unmount, &rfd);
        close(rfd);
        int code = wait_child(pid);
        if (code == CHILD_SKIP) {
                rmdir(ns_dir);
                skip();
        }
        assert_int_equal(code, 0);
}

static char run_dir[256];

/* Child: mounting a missing device fails and leaves no mount directory behind. */
static int child_mount_fails(int wfd) {
        (void)wfd;
        int r = esp_namespace_enter();
        if (r == -EPERM)
                return CHILD_SKIP;
        if (r < 0)
                return 10;
        struct paths p;
        if (paths_init(&p, "/", NULL, NULL, run_dir, NULL) < 0)
                return 11;
        char *dir = NULL;
        if (esp_mount(&p, "../x", "/dev/null", &dir) != -EINVAL)
                return 12;
        r = esp_mount(&p, "2F7A-2067", "/nonexistent/espctl-test-device", &dir);
        paths_free(&p);
        if (r >= 0 || dir)
                return 13;
        char path[400];
        snprintf(path, sizeof path, "%s/espctl/mnt/2F7A-2067", run_dir);
        if (access(path, F_OK) == 0)
                return 14;
        snprintf(path, sizeof path, "%s/espctl/mnt", run_dir);
        struct stat st;
        if (stat(path, &st) < 0 || (st.st_mode & 07777) != 0700)
                return 15;
        return 0;
}

static void test_mount_failure_cleans_up(void **state) {
        (void)state;
        snprintf(run_dir, sizeof run_dir, "%s/run", tmpdir);
        assert_int_equal(mkdir(run_dir, 0755), 0);
        int rfd;
        pid_t pid = in_child(child_mount_fails, &rfd);
        close(rfd);
        int code = wait_child(pid);
        if (code == CHILD_SKIP)
                skip();
        assert_int_equal(code, 0);
}

/* The read-write remount is a fault point: an injected EROFS is returned before any syscall. */
static void test_remount_rw_fault_point(void **state) {
        (void)state;
#ifdef FAULT_INJECTION
        setenv("FAULT_AT", "1:EROFS", 1);
        fault_reload();
        assert_int_equal(esp_remount_rw("/nonexistent/espctl-test"), -EROFS);
        unsetenv("FAULT_AT");
        fault_reload();
#endif
        unsigned before = fault_points_seen();
        assert_true(esp_remount_rw("/nonexistent/espctl-test") < 0);
        assert_int_equal(fault_points_seen(), before + 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_probe_gpt_esp_vfat),
                cmocka_unit_test(test_probe_gpt_other_partitions),
                cmocka_unit_test(test_probe_mbr),
                cmocka_unit_test(test_probe_whole_files),
                cmocka_unit_test(test_fdisk_table_matches_blkid),
                cmocka_unit_test(test_check_format_refusals),
                cmocka_unit_test(test_check_format_accepts),
                cmocka_unit_test(test_check_init),
                cmocka_unit_test(test_check_device_not_block),
                cmocka_unit_test(test_mountinfo_find),
                cmocka_unit_test(test_is_mounted_fake_proc),
                cmocka_unit_test(test_list_fake_sysfs),
                cmocka_unit_test(test_list_real_system),
                cmocka_unit_test(test_find_by_serial),
                cmocka_unit_test(test_serial_and_size_format),
                cmocka_unit_test(test_namespace_private),
                cmocka_unit_test(test_unmount_busy_detaches),
                cmocka_unit_test(test_mount_failure_cleans_up),
                cmocka_unit_test(test_remount_rw_fault_point),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
