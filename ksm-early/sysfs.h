/* Access to <sysfs>/kernel/mm/ksm. Two backends implement ksm_sysfs_write(): sysfs-real.c (the
 * production binary: one open + one write per knob) and, for tests only, sysfs-kemu.c (the
 * kernel emulator ksm-early-kemu: enforces the kernel's rules of spec §8.2 on a fake tree,
 * injects errnos from <sysfs>/.kemu/fail/<file> and logs every write). Reads are shared. */
#pragma once
#include <stdbool.h>

#define SYSFS_MAGIC_ 0x62656572 /* SYSFS_MAGIC of linux/magic.h */

struct ksm_sysfs {
        int dirfd;          /* <sysfs>/kernel/mm/ksm, -1 when absent */
        char *sysfs_root;
        void *backend;      /* backend-private (kemu: injection counters) */
};

/* -ENOENT when kernel/mm/ksm is absent (CONFIG_KSM=n); the struct is usable (dirfd -1). */
int ksm_sysfs_open(const char *sysfs_root, struct ksm_sysfs *ret);
void ksm_sysfs_close(struct ksm_sysfs *s);
/* Trimmed content (malloc'd); -ENOENT when the knob does not exist on this kernel. */
int ksm_sysfs_read(struct ksm_sysfs *s, const char *file, char **ret);
/* Writes "<value>\n" in place with one open(O_WRONLY|O_TRUNC) and one write(); -errno as the
 * kernel answered. */
int ksm_sysfs_write(struct ksm_sysfs *s, const char *file, const char *value);
/* Is path on sysfs? 1 yes, 0 no, -errno when it cannot be checked. */
int sysfs_check_magic(const char *path);
/* Name of the backend, for --version and logs: "kernel" or "kemu". */
extern const char ksm_sysfs_backend_name[];
