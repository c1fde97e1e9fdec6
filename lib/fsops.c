/* See fsops.h. */
#include "fsops.h"
#include "fault.h"
#include "macro.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

int fs_openat_write(int dirfd, const char *name, int flags, mode_t mode) {
        int r = fault_point();
        if (r < 0)
                return r;
        int fd = openat(dirfd, name, flags | O_CLOEXEC, mode);
        return fd < 0 ? negerrno() : fd;
}

int fs_write_all(int fd, const void *buf, size_t len) {
        int r = fault_point();
        if (r < 0)
                return r;
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negerrno();
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int fs_fsync(int fd) {
        int r = fault_point();
        if (r < 0)
                return r;
        return fsync(fd) < 0 ? negerrno() : 0;
}

int fs_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname) {
        int r = fault_point();
        if (r < 0)
                return r;
        return renameat(olddirfd, oldname, newdirfd, newname) < 0 ? negerrno() : 0;
}

int fs_unlinkat(int dirfd, const char *name, int flags) {
        int r = fault_point();
        if (r < 0)
                return r;
        return unlinkat(dirfd, name, flags) < 0 ? negerrno() : 0;
}

int fs_mkdirat(int dirfd, const char *name, mode_t mode) {
        int r = fault_point();
        if (r < 0)
                return r;
        return mkdirat(dirfd, name, mode) < 0 ? negerrno() : 0;
}

int fs_fsync_dir_path(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        return fs_fsync(fd);
}

int fs_write_once(int fd, const void *buf, size_t len) {
        int r = fault_point();
        if (r < 0)
                return r;
        ssize_t n = write(fd, buf, len);
        if (n < 0)
                return negerrno();
        return (size_t)n == len ? 0 : -EIO;
}
