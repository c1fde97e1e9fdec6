/* Unit tests of startall/runner.c: exit status, timeout with SIGTERM to the group, captured output
 * and a parallel wait, run twice: with pidfds, then inside a seccomp filter that makes pidfd_open
 * fail with ENOSYS the way kernels before 5.3 and valgrind 3.19 do (the waitpid fallback). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "startall/runner.h"

static bool expect_pidfd; /* probed in main: valgrind 3.19 has no pidfd_open either */
static char *no_env[] = { "PATH=/usr/bin:/bin", NULL };

static void run_one(struct job *j) {
        assert_int_equal(job_start(j), 0);
        assert_true(j->running);
        assert_int_equal(j->pidfd >= 0, expect_pidfd);
        struct job *jobs[] = { j };
        assert_int_equal(jobs_wait(jobs, 1, -1, NULL), 0);
        assert_false(j->running);
}

static void test_exit_status(void **state) {
        (void)state;
        char *ok[] = { "/bin/sh", "-c", "exit 0", NULL }, *three[] = { "/bin/sh", "-c", "exit 3", NULL };
        struct job a = { .argv = ok, .envp = no_env, .limit_ms = 10000 };
        run_one(&a);
        assert_true(job_ok(&a));
        struct job b = { .argv = three, .envp = no_env, .limit_ms = 10000 };
        run_one(&b);
        assert_false(job_ok(&b));
        assert_int_equal(job_rc(&b), 3);
}

static void test_timeout_terminates(void **state) {
        (void)state;
        char *slow[] = { "/bin/sleep", "30", NULL };
        struct job j = { .argv = slow, .envp = no_env, .limit_ms = 200 };
        uint64_t t0 = mono_ms();
        run_one(&j);
        assert_true(j.timed_out);
        assert_string_equal(job_signal_name(&j), "SIGTERM");
        assert_true(mono_ms() - t0 < 5000); /* ended by SIGTERM, not by the SIGKILL grace */
}

static void test_capture(void **state) {
        (void)state;
        char *echo[] = { "/bin/sh", "-c", "echo running; exit 0", NULL };
        struct job j = { .argv = echo, .envp = no_env, .limit_ms = 10000, .capture = true };
        run_one(&j);
        assert_true(job_ok(&j));
        assert_string_equal(j.out, "running\n");
}

static void test_parallel_order(void **state) {
        (void)state;
        char *slow[] = { "/bin/sleep", "0.4", NULL }, *fast[] = { "/bin/sleep", "0.05", NULL };
        struct job a = { .argv = slow, .envp = no_env, .limit_ms = 10000 };
        struct job b = { .argv = fast, .envp = no_env, .limit_ms = 10000 };
        assert_int_equal(job_start(&a), 0);
        assert_int_equal(job_start(&b), 0);
        struct job *jobs[] = { &a, &b };
        assert_int_equal(jobs_wait(jobs, 2, -1, NULL), 1); /* the fast one is seen first */
        assert_true(a.running);
        assert_int_equal(jobs_wait(jobs, 2, -1, NULL), 0);
        assert_true(job_ok(&a) && job_ok(&b));
        assert_int_equal(jobs_wait(jobs, 2, -1, NULL), -ECHILD);
}

static void test_spawn_error(void **state) {
        (void)state;
        char tmpl[] = "/tmp/test-runner-plain.XXXXXX";
        int fd = mkstemp(tmpl); /* mode 0600: not executable, even for root */
        assert_true(fd >= 0);
        close(fd);
        char *missing[] = { "/nonexistent/qm", "start", NULL }, *plain[] = { tmpl, NULL };
        struct job j = { .argv = missing, .envp = no_env, .limit_ms = 1000 };
        assert_int_equal(job_start(&j), 0);
        assert_false(j.running);
        assert_int_equal(j.spawn_error, -ENOENT);
        assert_false(job_ok(&j));
        char buf[128];
        job_describe(&j, buf, sizeof buf);
        assert_string_equal(buf, "cannot execute /nonexistent/qm: No such file or directory");
        struct job k = { .argv = plain, .envp = no_env, .limit_ms = 1000 };
        assert_int_equal(job_start(&k), 0);
        unlink(tmpl);
        assert_int_equal(k.spawn_error, -EACCES); /* exists, not executable */
}

/* pidfd_open -> ENOSYS for this process and its children, everything else allowed. */
static void deny_pidfd_open(void) {
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
        assert_int_equal(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_int_equal(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
        assert_int_equal(syscall(SYS_pidfd_open, getpid(), 0), -1);
        assert_int_equal(errno, ENOSYS);
}

static int group_without_pidfd(void **state) {
        (void)state;
        deny_pidfd_open();
        expect_pidfd = false;
        return 0;
}

int main(void) {
        int probe = (int)syscall(SYS_pidfd_open, getpid(), 0);
        expect_pidfd = probe >= 0;
        if (probe >= 0)
                close(probe);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_timeout_terminates),
                cmocka_unit_test(test_capture),
                cmocka_unit_test(test_parallel_order),
                cmocka_unit_test(test_spawn_error),
        };
        int failed = cmocka_run_group_tests_name("runner with pidfd", tests, NULL, NULL);
        failed += cmocka_run_group_tests_name("runner without pidfd (waitpid fallback)", tests,
                                              group_without_pidfd, NULL);
        return failed;
}
