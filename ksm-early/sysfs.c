/* The backend-independent half of sysfs.h: opening the KSM directory and reading knobs. */
#include "sysfs.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include "lib/paths.h"
#include <fcntl.h>
#include <sys/vfs.h>

int ksm_sysfs_open(const char *sysfs_root, struct ksm_sysfs *ret) {
        *ret = (struct ksm_sysfs){ .dirfd = -1, .sysfs_root = strdup(sysfs_root) };
        if (!ret->sysfs_root)
                return -ENOMEM;
        _cleanup_free_ char *dir = path_join(sysfs_root, SYSFS_KSM_DIR);
        if (!dir)
                return -ENOMEM;
        ret->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return ret->dirfd < 0 ? negerrno() : 0;
}

void ksm_sysfs_close(struct ksm_sysfs *s) {
        if (s->dirfd >= 0)
                close(s->dirfd);
        free(s->sysfs_root);
        free(s->backend);
        *s = (struct ksm_sysfs){ .dirfd = -1 };
}

int ksm_sysfs_read(struct ksm_sysfs *s, const char *file, char **ret) {
        if (s->dirfd < 0)
                return -ENOENT;
        _cleanup_close_ int fd = openat(s->dirfd, file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        _cleanup_free_ char *buf = NULL;
        int r = read_fd_max(fd, 4096, &buf, NULL);
        if (r < 0)
                return r;
        char *t = strdup(str_trim(buf));
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int sysfs_check_magic(const char *path) {
        struct statfs sf;
        if (statfs(path, &sf) < 0)
                return negerrno();
        return (unsigned long)sf.f_type == SYSFS_MAGIC_;
}
