/* What is on one ESP now, read-only: its mode (spec §3 "Mode detection", per ESP and never
 * carried over), manifest, our entries and kernel files (exact managed names, spec §3), the
 * loader configuration and leftover temp files. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "manifest.h"
#include "lib/strv.h"

enum esp_mode { MODE_NONE, MODE_SYSTEMD_BOOT, MODE_GRUB };

struct scan_entry {
        char *file;      /* "proxmox-6.8.12-4-pve+2-1.conf" */
        char *prefix;
        char *version;
        int left, done;  /* -1 when uncounted */
};

struct scan_kernel {     /* one version's kernel files under one prefix (systemd-boot) or flat (grub) */
        char *prefix;    /* NULL in grub mode */
        char *version;
        bool vmlinuz, initrd;
};

struct esp_scan {
        enum esp_mode mode;
        bool uefi;                 /* grub mode on uefi */
        bool have_manifest;
        unsigned manifest_format;  /* when newer than ours: the ESP is refused */
        unsigned manifest_bad_line;
        struct manifest manifest;
        struct scan_entry *entries;
        size_t n_entries;
        struct scan_kernel *kernels;
        size_t n_kernels;
        char *loader_conf, *grub_cfg, *grubenv; /* contents, NULL when absent */
        size_t loader_conf_len, grub_cfg_len, grubenv_len;
        strv temps;                /* leftover temp files, paths relative to the ESP */
};

const char *esp_mode_name(enum esp_mode m);
/* prefix: the configured one; the manifest's prefix (if another) is scanned too, so a prefix
 * change removes the old names. -EPROTONOSUPPORT: manifest format newer than ours. */
int esp_scan(int espfd, const char *prefix, struct esp_scan *ret);
void esp_scan_free(struct esp_scan *s);
const struct scan_entry *scan_find_entry(const struct esp_scan *s, const char *prefix, const char *version);
const struct scan_kernel *scan_find_kernel(const struct esp_scan *s, const char *prefix, const char *version);
/* Relative path of a kernel file on the ESP for this mode. Malloc'd. */
char *esp_kernel_path(enum esp_mode mode, const char *prefix, const char *version, bool initrd);
