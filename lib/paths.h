/* Every system path the toolkit touches, and how it is placed under --root and the narrower
 * overrides. Nothing else in the tree spells "/etc/..." or "/sys/...": grep-able in one place. */
#pragma once
#include <stdbool.h>

/* Under --root. */
#define PATH_BOOT_DIR            "/boot"
#define PATH_MODULES_DIR         "/lib/modules"
#define PATH_DPKG_STATUS         "/var/lib/dpkg/status"
#define PATH_ESP_UUIDS           "/etc/kernel/proxmox-boot-uuids"
#define PATH_KERNEL_CMDLINE      "/etc/kernel/cmdline"
#define PATH_ESPCTL_CONF         "/etc/kernel/espctl.conf"
#define PATH_MANUAL_KERNELS      "/etc/kernel/proxmox-boot-manual-kernels"
#define PATH_PIN                 "/etc/kernel/proxmox-boot-pin"
#define PATH_NEXT_BOOT_PIN       "/etc/kernel/next-boot-pin"
#define PATH_OS_RELEASE          "/etc/os-release"
#define PATH_PVE_DIR             "/etc/pve"
#define PATH_DOC_PMG             "/usr/share/doc/proxmox-mailgateway"
#define PATH_DOC_PBS             "/usr/share/doc/proxmox-backup"
#define PATH_SDBOOT_EFI_DIR      "/usr/lib/systemd/boot/efi"
#define PATH_GRUB_LIB_DIR        "/usr/lib/grub"
/* grub-install of the system under --root (Proxmox diverts the real one to .real), run with
 * --directory=<root>/usr/lib/grub/<platform> so a rescue system installs the target's GRUB. */
#define PATH_GRUB_INSTALL_REAL   "/usr/sbin/grub-install.real"
#define PATH_GRUB_INSTALL        "/usr/sbin/grub-install"
#define PATH_KSM_POLICY          "/etc/ksm-early/policy.json"
#define PATH_KSM_LABELS          "/etc/ksm-early/node-labels"
#define PATH_HOSTNAME            "/etc/hostname"
#define PATH_STARTALL_GUESTS_DIR "/etc/guest-startall/guests.d"
#define PATH_STARTALL_NODE_CONF  "/etc/guest-startall/node.conf"
#define PATH_PVE_QEMU_DIR        "/etc/pve/qemu-server"
#define PATH_PVE_LXC_DIR         "/etc/pve/lxc"
#define PATH_PVE_NODES_DIR       "/etc/pve/nodes"
#define PATH_STARTALL_NODES_DIR  "/etc/guest-startall/nodes"
#define PATH_PVE_GUESTS_WANTS    "/etc/systemd/system/multi-user.target.wants/pve-guests.service"
/* Programs guest-startall runs; not under --root (guest commands are never rewritten). */
#define PATH_QM                  "/usr/sbin/qm"
#define PATH_PCT                 "/usr/sbin/pct"
#define PATH_KSM_EARLY           "/usr/sbin/ksm-early"
/* Inside a Proxmox configuration directory (--pve[=DIR], default PATH_PVE_DIR). */
#define PVE_QEMU_SUBDIR          "qemu-server"
#define PVE_LXC_SUBDIR           "lxc"
#define PVE_NODES_SUBDIR         "nodes"
#define PVE_LOCAL_CONFIG         "local/config"
#define PVE_HA_RESOURCES         "ha/resources.cfg"
#define PATH_DEV_BY_UUID         "/dev/disk/by-uuid" /* /dev is never prefixed */
#define PATH_SELF_EXE            "/proc/self/exe"    /* the running binary itself: never prefixed */
#define PATH_SBIN_FALLBACK       "/usr/sbin"

/* Defaults of the three bases, themselves under --root unless overridden. */
#define PATH_SYSFS_DEFAULT       "/sys"
#define PATH_PROC_DEFAULT        "/proc"
#define PATH_RUN_DEFAULT         "/run"

/* Relative to <sysfs>, <proc>, <run>. */
#define SYSFS_EFI_DIR            "firmware/efi"
#define SYSFS_EFIVARS_DIR        "firmware/efi/efivars"
#define SYSFS_KSM_DIR            "kernel/mm/ksm"
#define SYSFS_CLASS_BLOCK        "class/block"
#define PROC_OSRELEASE           "sys/kernel/osrelease"
#define PROC_BOOT_ID             "sys/kernel/random/boot_id"
#define PROC_CMDLINE             "cmdline"
#define PROC_MEMINFO             "meminfo"
#define PROC_MOUNTINFO           "self/mountinfo"
#define RUN_ESPCTL_LOCK          "espctl.lock"
#define RUN_ESPCTL_CACHE         "espctl/cache"
#define RUN_ESPCTL_MNT           "espctl/mnt"
#define RUN_KSM_EARLY_DIR        "ksm-early"
#define RUN_STARTALL_DIR         "guest-startall"
#define RUN_STARTALL_TASKLOG     "guest-startall/tasks.jsonl"
#define RUN_STARTALL_LOCK        "lock/guest-startall.lock"

struct paths {
        char *root;    /* "/" or a fake tree, no trailing slash except "/" */
        char *sysfs;   /* absolute */
        char *proc;
        char *run;
        char *efivars;
};

/* Fill in defaults for every base left NULL. Returns 0 or -ENOMEM. */
int paths_init(struct paths *p, const char *root, const char *sysfs, const char *proc,
               const char *run, const char *efivars);
void paths_free(struct paths *p);

/* Malloc'd "<root><abs>" (abs starts with '/'); NULL on ENOMEM. */
char *paths_root(const struct paths *p, const char *abs);
char *paths_sysfs(const struct paths *p, const char *rel);
char *paths_proc(const struct paths *p, const char *rel);
char *paths_run(const struct paths *p, const char *rel);
bool paths_root_is_real(const struct paths *p);

/* The first of rels (relative to the running binary's directory, NULL-terminated) that is an
 * executable, malloc'd; NULL when none is. How one of our binaries finds a sibling. */
char *path_beside_self(const char *const *rels);

/* Malloc'd join of a directory and a relative name ("a" + "b" -> "a/b"). */
char *path_join(const char *dir, const char *name);
