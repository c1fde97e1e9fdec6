/* Production backend of ksm_sysfs_write(): the kernel is the judge of every value. */
#include "sysfs.h"
#include "lib/fsops.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <stdio.h>

const char ksm_sysfs_backend_name[] = "kernel";

int ksm_sysfs_write(struct ksm_sysfs *s, const char *file, const char *value) {
        if (s->dirfd < 0)
                return -ENOENT;
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%s\n", value);
        if (n < 0 || (size_t)n >= sizeof buf)
                return -EINVAL;
        _cleanup_close_ int fd = fs_openat_write(s->dirfd, file, O_WRONLY | O_TRUNC, 0);
        if (fd < 0)
                return fd;
        return fs_write_once(fd, buf, (size_t)n);
}
