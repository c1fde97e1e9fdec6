/* lib/lock.c: exclusive vs shared, busy after the wait, no-create for dry runs. A second open
 * file description in the same process stands in for another run (flock is per description). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>
#include "lib/lock.h"
#include "lib/macro.h"

static void test_lock(void **state) {
        (void)state;
        char dir[] = "/tmp/lock-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[64];
        snprintf(path, sizeof path, "%s/l", dir);
        int a = -1, b = -1;
        assert_int_equal(lock_acquire(path, LOCK_FLAG_NO_CREATE, 0, &a), 0);
        assert_int_equal(a, -1); /* absent and not created */
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(lock_acquire(path, 0, 0, &a), 0);
        assert_true(a >= 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(lock_acquire(path, 0, 300, &b), -EBUSY);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* it retried for the wait given (not a timing target: a bound that proves retrying) */
        assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 250);
        assert_int_equal(lock_acquire(path, LOCK_FLAG_SHARED, 0, &b), -EBUSY);
        close(a);
        assert_int_equal(lock_acquire(path, LOCK_FLAG_SHARED, 0, &a), 0);
        assert_int_equal(lock_acquire(path, LOCK_FLAG_SHARED, 0, &b), 0); /* readers share */
        int c = -1;
        assert_int_equal(lock_acquire(path, 0, 0, &c), -EBUSY);
        close(a);
        close(b);
        assert_int_equal(lock_acquire(path, 0, 0, &c), 0);
        close(c);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_lock) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
