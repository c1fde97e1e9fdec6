/* The one way to write a file (DESIGN §6): compare first, then temp in the same directory,
 * write, fsync, rename, fsync the directory. The temp is removed on every failure, so the old
 * file is either fully there or fully replaced. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Temp names are ".<name>" ATOMIC_TMP_SUFFIX beside the target; leftovers are safe to delete. */
#define ATOMIC_TMP_SUFFIX ".tmp-espctl"

/* Returns 1 when written, 0 when the file already held exactly these bytes (and mode is not
 * checked), -errno on failure (the target is untouched). name is a plain file name in dirfd. */
int atomic_write_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);
/* Same, for a path; the parent directory must exist. */
int atomic_write(const char *path, const void *buf, size_t len, mode_t mode);
/* Delete a file and fsync its directory; absent is success (returns 0), deleted returns 1. */
int atomic_unlink(const char *path);
/* Open the directory holding path (relative to dirfd, or AT_FDCWD) and hand out its last
 * component; the descriptor, or -errno. */
int open_parent_at(int dirfd, const char *path, char **ret_base);
/* True when name is one of our temp files. */
bool atomic_is_temp_name(const char *name);
