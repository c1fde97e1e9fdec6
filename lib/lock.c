/* See lock.h. */
#include "lock.h"
#include "fault.h"
#include "macro.h"
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

int lock_acquire(const char *path, unsigned flags, unsigned wait_ms, int *ret_fd) {
        *ret_fd = -1;
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) {
                if (flags & LOCK_FLAG_NO_CREATE)
                        return 0;
                int r = fault_point();
                if (r < 0)
                        return r;
                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        }
        if (fd < 0 && (errno == EACCES || errno == EROFS) && (flags & LOCK_FLAG_SHARED))
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW); /* readers may lack write access */
        if (fd < 0)
                return negerrno();
        int op = (flags & LOCK_FLAG_SHARED) ? LOCK_SH : LOCK_EX;
        for (unsigned waited = 0;; waited += 100) {
                if (flock(fd, op | LOCK_NB) == 0)
                        break;
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return negerrno();
                if (waited >= wait_ms)
                        return -EBUSY;
                nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}
