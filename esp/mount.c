/* Private mount namespace and ESP mounting. See mount.h.
 *
 * The mount directories live in <run> (a tmpfs) and exist only while mounted; they are scratch,
 * not state, so they are made with plain mkdir/rmdir rather than the fault-counted fsops calls:
 * a no-op refresh on real devices then still reports zero write points. The read-write remount
 * is a real write step and is a fault point. */
#include "mount.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include "lib/fault.h"
#include "lib/macro.h"

#define ESP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define UMOUNT_TRIES 3
#define UMOUNT_PAUSE_NS (100 * 1000 * 1000L)

int esp_namespace_enter(void) {
        if (unshare(CLONE_NEWNS) < 0)
                return negerrno();
        /* Without this, mounts would propagate back to the host's shared "/" (systemd default).
         * Source and type are ignored for propagation changes and remounts; "none" rather than
         * NULL because memcheck reads them as strings. */
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
                return negerrno();
        return 0;
}

/* mkdir -p with 0700 for every component we create below an existing base. */
static int mkdir_parents(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *s = copy + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                        return negerrno();
                *s = '/';
        }
        if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                return negerrno();
        return 0;
}

int esp_mount(const struct paths *p, const char *serial, const char *device, char **ret_dir) {
        if (!serial || !*serial || strchr(serial, '/') || streq(serial, ".") || streq(serial, ".."))
                return -EINVAL;
        _cleanup_free_ char *base = paths_run(p, RUN_ESPCTL_MNT);
        _cleanup_free_ char *dir = base ? path_join(base, serial) : NULL;
        if (!dir)
                return -ENOMEM;
        int r = mkdir_parents(dir);
        if (r < 0)
                return r;
        if (mount(device, dir, ESP_MOUNT_FSTYPE, MS_RDONLY | ESP_MOUNT_FLAGS, ESP_MOUNT_DATA) < 0) {
                r = negerrno();
                (void)rmdir(dir);
                return r;
        }
        *ret_dir = TAKE_PTR(dir);
        return 0;
}

static int remount(const char *dir, unsigned long extra) {
        if (mount("none", dir, "none", MS_REMOUNT | ESP_MOUNT_FLAGS | extra, ESP_MOUNT_DATA) < 0)
                return negerrno();
        return 0;
}

int esp_remount_rw(const char *dir) {
        int r = fault_point();
        if (r < 0)
                return r;
        return remount(dir, 0);
}

int esp_remount_ro(const char *dir) { return remount(dir, MS_RDONLY); }

int esp_unmount(const char *dir) {
        int sync_r = 0;
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        if (syncfs(fd) < 0)
                sync_r = negerrno();
        close(TAKE_FD(fd)); /* our own descriptor must not keep it busy */

        int r = -EBUSY;
        for (int i = 0; i < UMOUNT_TRIES; i++) {
                if (i > 0)
                        nanosleep(&(struct timespec){ .tv_nsec = UMOUNT_PAUSE_NS }, NULL);
                if (umount2(dir, 0) == 0) {
                        r = 0;
                        break;
                }
                r = negerrno();
                if (r != -EBUSY)
                        break;
        }
        if (r == -EBUSY) {
                if (umount2(dir, MNT_DETACH) < 0)
                        return negerrno();
                r = 1;
        }
        if (r < 0)
                return r;
        (void)rmdir(dir);
        return sync_r < 0 ? sync_r : r;
}
