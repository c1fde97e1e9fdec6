/* GRUB's boot code through grub-install (spec §6 init, and reinit): BIOS into the disk's MBR gap,
 * UEFI twice (the second time with --removable). The program and its modules are the --root
 * system's: <root>/usr/sbin/grub-install.real (Proxmox diverts the real one there), else
 * <root>/usr/sbin/grub-install, with --directory=<root>/usr/lib/grub/<platform>. */
#pragma once
#include <stdbool.h>
#include "lib/paths.h"

/* MNT: where the ESP is mounted; DISK: the disk holding it. Reports failures itself; returns 0,
 * EXIT_ENV (grub-install missing), EXIT_CHILD (it failed) or EXIT_IO. */
int grub_install(const struct paths *p, const char *mnt, const char *disk, bool uefi, const char *prefix);
