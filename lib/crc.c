/* See crc.h. zlib's crc32 is fast (slice-by-8) and already a dependency; no reason for our own. */
#include "crc.h"
#include "macro.h"
#include <fcntl.h>
#include <zlib.h>

uint32_t crc32_buf(const void *buf, size_t len) {
        uLong c = crc32(0L, Z_NULL, 0);
        const unsigned char *p = buf;
        while (len > 0) {
                uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
                c = crc32(c, p, chunk);
                p += chunk;
                len -= chunk;
        }
        return (uint32_t)c;
}

int crc32_fd(int fd, uint32_t *ret_crc, uint64_t *ret_size) {
        static __thread unsigned char buf[1 << 20];
        uLong c = crc32(0L, Z_NULL, 0);
        uint64_t size = 0;
        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negerrno();
                }
                if (n == 0)
                        break;
                c = crc32(c, buf, (uInt)n);
                size += (uint64_t)n;
        }
        *ret_crc = (uint32_t)c;
        if (ret_size)
                *ret_size = size;
        return 0;
}

int crc32_path(const char *path, uint32_t *ret_crc, uint64_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        return crc32_fd(fd, ret_crc, ret_size);
}
