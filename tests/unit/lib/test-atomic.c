/* lib/atomic.c: replace, skip unchanged (same inode and mtime), temp cleanup on failure,
 * leftover temp files, unlink. Failures are injected through FAULT_AT (fault.c) when built
 * with fault injection, which the test build is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "lib/atomic.h"
#include "lib/fault.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/paths.h"

static char dir[64];

static int setup(void **state) {
        (void)state;
        strcpy(dir, "/tmp/atomic-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        (void)state;
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd);
}

static char *in_dir(const char *name) { return path_join(dir, name); }

static unsigned count_entries(void) {
        DIR *d = opendir(dir);
        unsigned n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.' || atomic_is_temp_name(de->d_name);
        closedir(d);
        return n;
}

static void test_write_and_skip(void **state) {
        (void)state;
        _cleanup_free_ char *p = in_dir("f");
        assert_int_equal(atomic_write(p, "hello\n", 6, 0644), 1);
        _cleanup_free_ char *buf = NULL;
        assert_int_equal(read_file_max(p, 100, &buf, NULL), 0);
        assert_string_equal(buf, "hello\n");
        struct stat a, b;
        assert_int_equal(stat(p, &a), 0);
        assert_int_equal(a.st_mode & 0777, 0644);
        unsigned before = fault_points_seen();
        assert_int_equal(atomic_write(p, "hello\n", 6, 0644), 0); /* unchanged: no write at all */
        assert_int_equal(fault_points_seen(), before);
        assert_int_equal(stat(p, &b), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
        assert_int_equal(atomic_write(p, "hello!\n", 7, 0600), 1);
        assert_int_equal(stat(p, &b), 0);
        assert_int_not_equal(a.st_ino, b.st_ino); /* replaced by rename, never rewritten in place */
        assert_int_equal(b.st_mode & 0777, 0600);
        assert_int_equal(count_entries(), 1);
}

static void test_leftover_temp(void **state) {
        (void)state;
        _cleanup_free_ char *t = in_dir(".g" ATOMIC_TMP_SUFFIX), *p = in_dir("g");
        int fd = open(t, O_WRONLY | O_CREAT, 0600);
        assert_true(fd >= 0);
        close(fd);
        assert_true(atomic_is_temp_name(".g" ATOMIC_TMP_SUFFIX));
        assert_false(atomic_is_temp_name("g"));
        assert_false(atomic_is_temp_name(ATOMIC_TMP_SUFFIX));
        assert_int_equal(atomic_write(p, "x", 1, 0644), 1);
        assert_int_equal(access(t, F_OK), -1);
}

static void test_errors(void **state) {
        (void)state;
        _cleanup_free_ char *p = in_dir("missing-dir/f");
        assert_int_equal(atomic_write(p, "x", 1, 0644), -ENOENT);
        assert_int_equal(atomic_write_at(AT_FDCWD, "a/b", "x", 1, 0644), -EINVAL);
        assert_int_equal(atomic_write_at(AT_FDCWD, "", "x", 1, 0644), -EINVAL);
}

static void test_unlink(void **state) {
        (void)state;
        _cleanup_free_ char *p = in_dir("u");
        assert_int_equal(atomic_write(p, "x", 1, 0644), 1);
        assert_int_equal(atomic_unlink(p), 1);
        assert_int_equal(atomic_unlink(p), 0);
        _cleanup_free_ char *q = in_dir("nodir/u");
        assert_int_equal(atomic_unlink(q), 0);
}

#ifdef FAULT_INJECTION
/* Each write point of atomic_write failing leaves the old file and no temp. Runs in a child
 * per point, since FAULT_AT is read once per process. */
static void test_fault_each_point(void **state) {
        (void)state;
        _cleanup_free_ char *p = in_dir("h");
        assert_int_equal(atomic_write(p, "old", 3, 0644), 1);
        for (int n = 1; n <= 5; n++) {
                pid_t pid = fork();
                if (pid == 0) {
                        char spec[32];
                        snprintf(spec, sizeof spec, "%d:EIO", n);
                        setenv("FAULT_AT", spec, 1);
                        fault_reload();
                        int r = atomic_write(p, "new", 3, 0644);
                        /* points: open, write, fsync, rename, dir fsync */
                        _exit(r == -EIO ? 0 : 1);
                }
                int st;
                assert_int_equal(waitpid(pid, &st, 0), pid);
                assert_int_equal(WEXITSTATUS(st), 0);
                _cleanup_free_ char *buf = NULL;
                assert_int_equal(read_file_max(p, 10, &buf, NULL), 0);
                /* before the rename the old content stays; after it, only the dir fsync failed */
                assert_string_equal(buf, n <= 4 ? "old" : "new");
                assert_int_equal(count_entries(), 3); /* f, g, h: no temp left */
                if (n == 5)
                        assert_int_equal(atomic_write(p, "old", 3, 0644), 1);
        }
}
#endif

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_and_skip),
                cmocka_unit_test(test_leftover_temp),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_unlink),
#ifdef FAULT_INJECTION
                cmocka_unit_test(test_fault_each_point),
#endif
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
