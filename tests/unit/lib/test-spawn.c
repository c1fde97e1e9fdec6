/* lib/spawn.c: argv reaches the child unchanged (no shell), fixed environment, exit codes,
 * signals, a missing program, inherited descriptors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/spawn.h"

static char *run_capture(char *const argv[], const struct spawn_opts *o, int *code) {
        char path[] = "/tmp/spawn-XXXXXX";
        int fd = mkstemp(path);
        int saved = dup(1);
        dup2(fd, 1);
        int st = 0;
        int r = spawn_run(argv, o, &st);
        dup2(saved, 1);
        close(saved);
        close(fd);
        assert_int_equal(r, 0);
        *code = spawn_exit_code(st);
        char *out = NULL;
        assert_int_equal(read_file_max(path, 65536, &out, NULL), 0);
        unlink(path);
        return out;
}

static void test_argv_not_shell(void **state) {
        (void)state;
        int code;
        char *argv[] = { "printf", "%s|", "a b", "$(id)", "; rm -rf /", NULL };
        _cleanup_free_ char *out = run_capture(argv, NULL, &code);
        assert_int_equal(code, 0);
        assert_string_equal(out, "a b|$(id)|; rm -rf /|");
}

static void test_env(void **state) {
        (void)state;
        setenv("SECRET_FROM_PARENT", "1", 1);
        int code;
        char *extra[] = { "EXTRA=yes", NULL };
        struct spawn_opts o = { .extra_env = extra };
        char *argv[] = { "env", NULL };
        _cleanup_free_ char *out = run_capture(argv, &o, &code);
        assert_string_equal(out, "PATH=" SPAWN_PATH "\nLC_ALL=C\nEXTRA=yes\n");
}

static void test_status(void **state) {
        (void)state;
        int st;
        char *f[] = { "false", NULL };
        assert_int_equal(spawn_run(f, NULL, &st), 0);
        assert_int_equal(spawn_exit_code(st), 1);
        char *k[] = { "sh", "-c", "kill -TERM $$", NULL };
        assert_int_equal(spawn_run(k, NULL, &st), 0);
        assert_int_equal(spawn_exit_code(st), 128 + SIGTERM);
        char *m[] = { "no-such-program-xyz", NULL };
        assert_int_equal(spawn_run(m, NULL, &st), -ENOENT);
        char path[] = "/tmp/spawn-noexec-XXXXXX";
        int fd = mkstemp(path); /* exists, mode 0600: not executable */
        assert_true(fd >= 0);
        close(fd);
        char *a[] = { path, NULL };
        assert_int_equal(spawn_run(a, NULL, &st), -EACCES);
        unlink(path);
        char *stdin_null[] = { "sh", "-c", "test \"$(readlink /proc/self/fd/0)\" = /dev/null", NULL };
        assert_int_equal(spawn_run(stdin_null, NULL, &st), 0);
        assert_int_equal(spawn_exit_code(st), 0);
}

static void test_keep_fd(void **state) {
        (void)state;
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        char check[64];
        snprintf(check, sizeof check, "test -e /proc/self/fd/%d", fd);
        char *argv[] = { "sh", "-c", check, NULL };
        int st;
        assert_int_equal(spawn_run(argv, NULL, &st), 0);
        assert_int_equal(spawn_exit_code(st), 1); /* CLOEXEC: not inherited */
        struct spawn_opts o = { .keep_fds = &fd, .n_keep_fds = 1 };
        assert_int_equal(spawn_run(argv, &o, &st), 0);
        assert_int_equal(spawn_exit_code(st), 0);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv_not_shell),
                cmocka_unit_test(test_env),
                cmocka_unit_test(test_status),
                cmocka_unit_test(test_keep_fd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
