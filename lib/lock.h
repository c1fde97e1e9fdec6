/* flock-based run lock (spec §1.5). Busy is -EBUSY, which binaries turn into exit 5 and
 * "busy: <path> is held by another run". */
#pragma once
#include <stdbool.h>

enum lock_flags {
        LOCK_FLAG_SHARED = 1 << 0, /* LOCK_SH instead of LOCK_EX */
        LOCK_FLAG_NO_CREATE = 1 << 1, /* dry runs: an absent lock file means "no lock", fd -1 */
};

/* Retries every 100 ms for up to wait_ms. On success *ret_fd is the held descriptor
 * (O_CLOEXEC; the caller clears it to hand the lock to a child) or -1 when not created. */
int lock_acquire(const char *path, unsigned flags, unsigned wait_ms, int *ret_fd);
