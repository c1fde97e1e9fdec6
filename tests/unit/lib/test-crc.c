/* lib/crc.c: zlib crc32 of buffers and files agrees with known values and with each other. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include "lib/crc.h"
#include "lib/macro.h"

static void test_known(void **state) {
        (void)state;
        assert_int_equal(crc32_buf("", 0), 0x00000000);
        assert_int_equal(crc32_buf("123456789", 9), 0xcbf43926); /* the CRC-32 check value */
        assert_int_equal(crc32_buf("The quick brown fox jumps over the lazy dog", 43), 0x414fa339);
}

static void test_file(void **state) {
        (void)state;
        char path[] = "/tmp/crc-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        /* 3 MiB + 7: several read chunks and a tail */
        size_t n = 3 * 1024 * 1024 + 7;
        unsigned char *buf = malloc(n);
        for (size_t i = 0; i < n; i++)
                buf[i] = (unsigned char)(i * 2654435761u >> 13);
        assert_int_equal(write(fd, buf, n), (ssize_t)n);
        close(fd);
        uint32_t crc;
        uint64_t size;
        assert_int_equal(crc32_path(path, &crc, &size), 0);
        assert_int_equal(size, n);
        assert_int_equal(crc, crc32_buf(buf, n));
        buf[n / 2] ^= 1;
        assert_int_not_equal(crc, crc32_buf(buf, n));
        free(buf);
        unlink(path);
        assert_int_equal(crc32_path(path, &crc, &size), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_known), cmocka_unit_test(test_file) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
