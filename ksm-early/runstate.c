/* See runstate.h. */
#include "runstate.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

int run_dir_lock(int dirfd) {
        for (unsigned waited = 0;; waited += 10) {
                if (flock(dirfd, LOCK_EX | LOCK_NB) == 0)
                        return 0;
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return negerrno();
                if (waited >= 10000)
                        return -EBUSY;
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
}

int run_state_load(int dirfd, const char *run_dir, const char *boot_id, struct ksm_state *ret, struct report *rep) {
        *ret = (struct ksm_state){};
        if (dirfd < 0)
                return 0;
        _cleanup_close_ int fd = openat(dirfd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
                return 0;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = fd < 0 ? negerrno() : read_fd_max(fd, 64 * 1024, &buf, &len);
        const char *why = NULL;
        if (r < 0)
                why = strerror(-r);
        else if ((r = ksm_state_parse(buf, len, boot_id, ret, &why)) == -ENOMEM)
                return r;
        if (r < 0)
                report_warning(rep, "state %s/%s ignored (%s): KSM is treated as not managed by ksm-early",
                               run_dir, STATE_FILE, why);
        return 0;
}
