/* Write-side system calls, each a fault point (fault.h). Everything that changes a file, an EFI
 * variable or a sysfs knob goes through here, so crash tests can stop the process at each one.
 * All return 0 (or a count) on success and -errno on failure. */
#pragma once
#include <sys/types.h>
#include <stddef.h>

int fs_openat_write(int dirfd, const char *name, int flags, mode_t mode); /* fd or -errno */
int fs_write_all(int fd, const void *buf, size_t len);
int fs_fsync(int fd);
int fs_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname);
int fs_unlinkat(int dirfd, const char *name, int flags);
int fs_mkdirat(int dirfd, const char *name, mode_t mode);
/* fsync of a directory given by path (after a rename or unlink in it). */
int fs_fsync_dir_path(const char *path);
/* Exactly one write(2) of len bytes (sysfs knobs: one value per write, spec ksm-early §8.1).
 * A short write is -EIO; EINTR is returned, not retried (the kernel may have acted on it). */
int fs_write_once(int fd, const void *buf, size_t len);
