/* Firmware and boot loader detection (spec §4.7): platform, efivars, Secure Boot, the loader that
 * booted us and what it told us through the Boot Loader Interface variables, and BootCurrent's
 * load option. Used by boot-detect, espctl status/refresh and kernel-select pin (one-shot
 * usability). Never prints: malformed variables are collected in boot_info.warnings and their
 * field stays NULL/unknown. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "lib/paths.h"
#include "lib/strv.h"

enum boot_platform {
        BOOT_PLATFORM_UNKNOWN, /* sysfs unusable */
        BOOT_PLATFORM_BIOS,
        BOOT_PLATFORM_UEFI,
};

enum boot_loader {
        BOOT_LOADER_UNKNOWN, /* no information (BIOS included) */
        BOOT_LOADER_SYSTEMD_BOOT,
        BOOT_LOADER_GRUB,
        BOOT_LOADER_OTHER,
};

enum boot_secure_boot {
        BOOT_SECURE_BOOT_UNKNOWN,
        BOOT_SECURE_BOOT_DISABLED,
        BOOT_SECURE_BOOT_ENABLED,
        BOOT_SECURE_BOOT_SETUP,
};

struct boot_current {
        int number;        /* BootCurrent, or -1 when unknown */
        char *description; /* of Boot####, NULL when unknown */
        char *path;        /* first File node, e.g. "\EFI\proxmox\shimx64.efi", NULL when none */
        char *part_guid;   /* first GPT Hard-Drive node, lower case, NULL when none */
};

struct boot_info {
        enum boot_platform platform;
        int platform_size;            /* <sysfs>/firmware/efi/fw_platform_size (32/64), -1 unknown */
        bool efivars;                 /* efivars directory available */
        enum boot_secure_boot secure_boot;
        enum boot_loader loader;
        char *loader_info;            /* LoaderInfo, e.g. "systemd-boot 252.36-1~deb12u1" */
        bool has_features;            /* LoaderFeatures present and well-formed */
        uint64_t features;
        char *entry_selected;         /* LoaderEntrySelected */
        char *entry_default;          /* LoaderEntryDefault */
        char *entry_oneshot;          /* LoaderEntryOneShot */
        bool has_entries;             /* LoaderEntries present and well-formed */
        strv entries;
        char *boot_count_path;        /* LoaderBootCountPath */
        char *device_part_uuid;       /* LoaderDevicePartUUID, lower case */
        struct boot_current boot_current;
        /* One line per problem, e.g. "LoaderInfo-4a67...: expected attributes within 0x7f, got
         * 0x80000007" or "BootCurrent-8be4...: expected 2 bytes, got 3"; the binary warns. */
        strv warnings;
};

/* Fill *ret (always initialised, free with boot_info_free). Returns 0, -ENOMEDIUM when <sysfs>
 * is missing or, on a real root, not sysfs ("sysfs not mounted at <dir>": exit 3; *ret then says
 * platform unknown), -ENOMEM. Variables come from p->efivars; efivars are "available" when that
 * directory exists and, when it is the default location on the real root, is efivarfs. */
int boot_detect(const struct paths *p, struct boot_info *ret);

void boot_info_free(struct boot_info *info);

/* True when the directory is the default efivars location of a real root (so it must be efivarfs
 * and boot_efivars_mount_private may mount it). */
bool boot_efivars_is_default(const struct paths *p);

/* Mount efivarfs read-only at p->efivars in a private mount namespace of this process (for
 * boot-detect when the firmware exposes EFI but efivarfs is not mounted). Returns 0, -EPERM
 * without privilege, other -errno. Call only on a real root with the default location. */
int boot_efivars_mount_private(const struct paths *p);

/* LoaderEntryOneShot can be used: uefi, efivars, systemd-boot, LoaderFeatures absent or bit 3. */
bool boot_oneshot_usable(const struct boot_info *info);
/* Boot counting is honoured by the loader: uefi, efivars, systemd-boot, LoaderFeatures bit 4. */
bool boot_counting_usable(const struct boot_info *info);

/* "uefi"/"bios"/NULL; "systemd-boot"/"grub"/"other"/"unknown";
 * "enabled"/"disabled"/"setup"/"unknown". */
const char *boot_platform_to_string(enum boot_platform p);
const char *boot_loader_to_string(enum boot_loader l);
const char *boot_secure_boot_to_string(enum boot_secure_boot s);

/* systemd's name of LoaderFeatures bit (0-10) in kebab case ("entry-oneshot", "boot-counting"),
 * or NULL for other bits (callers print "bit-N"). */
const char *boot_loader_feature_name(unsigned bit);

/* Loader named by a load option's file path: grub for "grub<arch>.efi"/"shim<arch>.efi" as the
 * last path component (any case), other for another path, unknown for NULL. */
enum boot_loader boot_loader_from_path(const char *path);
