/* What kernels are installed (spec §5.2): /boot images and initrds, /lib/modules directories,
 * the dpkg status database (ABI and series packages) and the running kernel. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lib/paths.h"
#include "lib/strv.h"

struct inventory {
        strv images;        /* versions with /boot/vmlinuz-V */
        strv initrds;       /* versions with /boot/initrd.img-V */
        strv modules;       /* versions with /lib/modules/V/ */
        bool have_dpkg;     /* /var/lib/dpkg/status exists */
        strv pkg_versions;  /* ABI versions from kernel packages */
        strv pkg_series;    /* "6.8" from proxmox-kernel-6.8 */
        char *running;      /* running kernel if its image exists, else NULL */
};

/* Parse a dpkg status file: installed kernel packages, -signed/-unsigned folded. */
int dpkg_status_parse(const char *buf, size_t len, strv *ret_versions, strv *ret_series);
/* Version of a package name, or NULL when it is not a kernel image package. Malloc'd. */
char *kernel_package_version(const char *package);
/* Version of a /boot file name for the given stem ("vmlinuz", "initrd.img"), or NULL. */
char *boot_file_version(const char *filename, const char *stem);

int inventory_load(const struct paths *p, struct inventory *ret);
void inventory_free(struct inventory *inv);
bool inventory_has_image(const struct inventory *inv, const char *v);
bool inventory_has_initrd(const struct inventory *inv, const char *v);
