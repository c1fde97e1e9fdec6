/* See atomic.h. */
#include "atomic.h"
#include "fsops.h"
#include "macro.h"
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <sys/stat.h>

/* 1 if dirfd/name holds exactly buf, 0 if not (or absent), -errno on a read error. */
static int same_content(int dirfd, const char *name, const void *buf, size_t len) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return (errno == ENOENT || errno == ELOOP) ? 0 : negerrno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negerrno();
        if (!S_ISREG(st.st_mode) || (size_t)st.st_size != len)
                return 0;
        char chunk[65536];
        size_t off = 0;
        while (off < len) {
                size_t want = len - off < sizeof chunk ? len - off : sizeof chunk;
                ssize_t n = read(fd, chunk, want);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negerrno();
                }
                if (n == 0 || memcmp(chunk, (const char *)buf + off, (size_t)n) != 0)
                        return 0;
                off += (size_t)n;
        }
        return 1;
}

int atomic_write_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode) {
        if (!*name || strchr(name, '/'))
                return -EINVAL;
        int r = same_content(dirfd, name, buf, len);
        if (r != 0)
                return r < 0 ? r : 0;

        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, ".%s" ATOMIC_TMP_SUFFIX, name) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = fs_openat_write(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
        if (fd == -EEXIST) { /* a leftover of a crashed run: ours to delete */
                r = fs_unlinkat(dirfd, tmp, 0);
                if (r < 0)
                        return r;
                fd = fs_openat_write(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
        }
        if (fd < 0)
                return fd;
        r = fs_write_all(fd, buf, len);
        if (r >= 0 && fchmod(fd, mode) < 0 && errno != EPERM)
                r = negerrno(); /* vfat refuses modes; its mount options decide them */
        if (r >= 0)
                r = fs_fsync(fd);
        if (r >= 0)
                r = fs_renameat(dirfd, tmp, dirfd, name);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0); /* cleanup, not a write point */
                return r;
        }
        r = fs_fsync(dirfd);
        return r < 0 ? r : 1;
}

int open_parent_at(int dirfd, const char *path, char **ret_base) {
        _cleanup_free_ char *d = strdup(path), *b = strdup(path);
        if (!d || !b)
                return -ENOMEM;
        int fd = openat(dirfd, dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        *ret_base = strdup(basename(b));
        if (!*ret_base) {
                close(fd);
                return -ENOMEM;
        }
        return fd;
}

int atomic_write(const char *path, const void *buf, size_t len, mode_t mode) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent_at(AT_FDCWD, path, &base);
        if (dfd < 0)
                return dfd;
        return atomic_write_at(dfd, base, buf, len, mode);
}

int atomic_unlink(const char *path) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent_at(AT_FDCWD, path, &base);
        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        if (faccessat(dfd, base, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negerrno();
        int r = fs_unlinkat(dfd, base, 0);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        r = fs_fsync(dfd);
        return r < 0 ? r : 1;
}

bool atomic_is_temp_name(const char *name) {
        return name[0] == '.' && endswith(name, ATOMIC_TMP_SUFFIX) &&
               strlen(name) > strlen(ATOMIC_TMP_SUFFIX) + 1;
}
