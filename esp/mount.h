/* Reaching a real ESP (spec §1.2): one private mount namespace per run, so our mounts vanish
 * with the process even after a crash; each ESP mounted read-only under <run>/espctl/mnt/<serial>
 * and remounted read-write only when the plan writes. Never prints; returns >= 0 or -errno. */
#pragma once
#include "lib/paths.h"

/* Mount options of an ESP (vfat): files 0600/dirs 0700 for root only, timestamps in UTC. */
#define ESP_MOUNT_FSTYPE "vfat"
#define ESP_MOUNT_DATA "umask=0077,tz=UTC"

/* unshare(CLONE_NEWNS), then make "/" recursively private so nothing propagates back.
 * -EPERM without CAP_SYS_ADMIN: the caller reports "cannot create a private mount namespace"
 * and exits 3. */
int esp_namespace_enter(void);

/* mkdir <run>/espctl/mnt/<serial> (0700, parents too) and mount device there read-only,
 * nosuid,nodev,noexec with ESP_MOUNT_DATA. On failure the directory is removed again.
 * *ret_dir is malloc'd. */
int esp_mount(const struct paths *p, const char *serial, const char *device, char **ret_dir);

/* Remount a mounted ESP read-write (same flags otherwise). A fault point (lib/fault.h): crash
 * tests count it as a write. */
int esp_remount_rw(const char *dir);
/* Back to read-only, e.g. after a failed write, so nothing else can change it. */
int esp_remount_ro(const char *dir);

/* syncfs, then umount2 up to 3 times 100 ms apart; if still busy, MNT_DETACH. Returns 0 when
 * unmounted, 1 when only detached (warn: it is flushed, but a process still holds it), or
 * -errno. A syncfs failure is returned after the unmount (data may not be on disk: exit 4).
 * The empty mount directory is removed. */
int esp_unmount(const char *dir);
