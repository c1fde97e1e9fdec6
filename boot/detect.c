/* See detect.h. Every variable is read leniently: a malformed one becomes a warning line and a
 * NULL field, never a failure, because boot-detect and status must still report the rest. */
#include "boot/detect.h"
#include "lib/efivarfs.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include <ctype.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define SYSFS_MAGIC_NUMBER 0x62656572
#define EFIVARFS_MAGIC_NUMBER 0xde5e81e4
#define SYSFS_FW_PLATFORM_SIZE "firmware/efi/fw_platform_size"

static const char *const feature_names[] = {
        "config-timeout", "config-timeout-one-shot", "entry-default", "entry-oneshot", "boot-counting",
        "xbootldr",       "random-seed",             "load-driver",   "sort-key",      "saved-entry",
        "devicetree",
};

const char *boot_loader_feature_name(unsigned bit) {
        return bit < ELEMENTSOF(feature_names) ? feature_names[bit] : NULL;
}

const char *boot_platform_to_string(enum boot_platform p) {
        return p == BOOT_PLATFORM_UEFI ? "uefi" : p == BOOT_PLATFORM_BIOS ? "bios" : NULL;
}

const char *boot_loader_to_string(enum boot_loader l) {
        switch (l) {
        case BOOT_LOADER_SYSTEMD_BOOT:
                return "systemd-boot";
        case BOOT_LOADER_GRUB:
                return "grub";
        case BOOT_LOADER_OTHER:
                return "other";
        default:
                return "unknown";
        }
}

const char *boot_secure_boot_to_string(enum boot_secure_boot s) {
        switch (s) {
        case BOOT_SECURE_BOOT_ENABLED:
                return "enabled";
        case BOOT_SECURE_BOOT_DISABLED:
                return "disabled";
        case BOOT_SECURE_BOOT_SETUP:
                return "setup";
        default:
                return "unknown";
        }
}

static bool has_efi_name(const char *base, const char *stem) {
        /* stem + at least one [a-z0-9] (the arch) + ".efi", any case */
        size_t n = strlen(stem), l = strlen(base);
        if (l < n + 1 + 4 || strncasecmp(base, stem, n) != 0 || strcasecmp(base + l - 4, ".efi") != 0)
                return false;
        for (size_t i = n; i < l - 4; i++)
                if (!isalnum((unsigned char)base[i]))
                        return false;
        return true;
}

enum boot_loader boot_loader_from_path(const char *path) {
        if (!path || !*path)
                return BOOT_LOADER_UNKNOWN;
        const char *base = path;
        for (const char *p = path; *p; p++)
                if (*p == '\\' || *p == '/')
                        base = p + 1;
        if (has_efi_name(base, "grub") || has_efi_name(base, "shim"))
                return BOOT_LOADER_GRUB;
        return BOOT_LOADER_OTHER;
}

void boot_info_free(struct boot_info *info) {
        free(info->loader_info);
        free(info->entry_selected);
        free(info->entry_default);
        free(info->entry_oneshot);
        strv_free(&info->entries);
        free(info->boot_count_path);
        free(info->device_part_uuid);
        free(info->boot_current.description);
        free(info->boot_current.path);
        free(info->boot_current.part_guid);
        strv_free(&info->warnings);
        *info = (struct boot_info){ .platform_size = -1, .boot_current.number = -1 };
}

_printf_(2, 3) static int warn(struct boot_info *info, const char *fmt, ...) {
        char *s;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        return strv_push_take(&info->warnings, s);
}

/* Read a variable's data; absent gives 0 with *ret NULL, malformed a warning and 0 with *ret
 * NULL, success 1. Only -ENOMEM is returned as an error. */
static int read_var(struct boot_info *info, const char *dir, const char *guid, const char *name,
                    void **ret, size_t *ret_len) {
        *ret = NULL;
        _cleanup_free_ char *fn = efivar_file_name(guid, name);
        _cleanup_free_ char *path = fn ? path_join(dir, fn) : NULL;
        if (!path)
                return -ENOMEM;
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_file_max(path, EFIVAR_MAX_SIZE, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return warn(info, "EFI variable %s: cannot read: %s", fn, strerror(-r));
        if (len < 4)
                return warn(info, "malformed EFI variable %s: expected at least 4 bytes, got %zu", fn, len);
        uint32_t attr;
        if (efivar_parse(buf, len, &attr, NULL, NULL) < 0) {
                const uint8_t *b = (const uint8_t *)buf;
                attr = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
                return warn(info, "malformed EFI variable %s: expected attributes within 0x7f, got 0x%x", fn, attr);
        }
        memmove(buf, buf + 4, len - 4 + 1);
        *ret = TAKE_PTR(buf);
        *ret_len = len - 4;
        return 1;
}

static int read_string(struct boot_info *info, const char *dir, const char *guid, const char *name, char **ret) {
        _cleanup_free_ void *d = NULL;
        size_t l;
        int r = read_var(info, dir, guid, name, &d, &l);
        if (r <= 0)
                return r;
        r = efivar_data_to_string(d, l, ret);
        if (r == -EBADMSG)
                return warn(info, "malformed EFI variable %s-%s: expected UTF-16 (an even size), got %zu bytes",
                            name, guid, l);
        return r < 0 ? r : 1;
}

static int read_fixed(struct boot_info *info, const char *dir, const char *guid, const char *name, void *ret,
                      size_t size) {
        _cleanup_free_ void *d = NULL;
        size_t l;
        int r = read_var(info, dir, guid, name, &d, &l);
        if (r <= 0)
                return r;
        if (l != size)
                return warn(info, "malformed EFI variable %s-%s: expected %zu byte%s, got %zu", name, guid, size,
                            size == 1 ? "" : "s", l);
        uint64_t v = 0;
        for (size_t i = size; i > 0; i--)
                v = v << 8 | ((const uint8_t *)d)[i - 1];
        if (size == 1)
                *(uint8_t *)ret = (uint8_t)v;
        else if (size == 2)
                *(uint16_t *)ret = (uint16_t)v;
        else
                *(uint64_t *)ret = v;
        return 1;
}

static bool is_fs(const char *path, unsigned long magic) {
        struct statfs s;
        return statfs(path, &s) == 0 && (unsigned long)s.f_type == magic;
}

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool boot_efivars_is_default(const struct paths *p) {
        _cleanup_free_ char *def = path_join(PATH_SYSFS_DEFAULT, SYSFS_EFIVARS_DIR);
        return def && paths_root_is_real(p) && streq(p->efivars, def);
}

int boot_efivars_mount_private(const struct paths *p) {
        if (unshare(CLONE_NEWNS) < 0)
                return negerrno();
        if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
                return negerrno();
        if (mount("efivarfs", p->efivars, "efivarfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return negerrno();
        return 0;
}

static int detect_efi(const struct paths *p, struct boot_info *info) {
        const char *d = p->efivars;
        int r;
        r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_INFO, &info->loader_info);
        if (r < 0)
                return r;
        r = read_fixed(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_FEATURES, &info->features, 8);
        if (r < 0)
                return r;
        info->has_features = r > 0;
        if ((r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_SELECTED, &info->entry_selected)) < 0 ||
            (r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_DEFAULT, &info->entry_default)) < 0 ||
            (r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT, &info->entry_oneshot)) < 0 ||
            (r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_BOOT_COUNT_PATH, &info->boot_count_path)) < 0 ||
            (r = read_string(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_DEVICE_PART_UUID, &info->device_part_uuid)) < 0)
                return r;
        for (char *c = info->device_part_uuid; c && *c; c++)
                *c = (char)tolower((unsigned char)*c);

        _cleanup_free_ void *ed = NULL;
        size_t el;
        r = read_var(info, d, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRIES, &ed, &el);
        if (r < 0)
                return r;
        if (r > 0) {
                r = efivar_data_to_strv(ed, el, &info->entries);
                if (r == -EBADMSG) {
                        strv_free(&info->entries);
                        r = warn(info, "malformed EFI variable %s-%s: expected UTF-16 (an even size), got %zu bytes",
                                 EFIVAR_LOADER_ENTRIES, EFI_GUID_LOADER, el);
                } else
                        info->has_entries = r >= 0;
                if (r < 0)
                        return r;
        }

        uint8_t sb = 0, setup = 0;
        int rsb = read_fixed(info, d, EFI_GUID_GLOBAL, EFIVAR_SECURE_BOOT, &sb, 1);
        if (rsb < 0)
                return rsb;
        int rsetup = read_fixed(info, d, EFI_GUID_GLOBAL, EFIVAR_SETUP_MODE, &setup, 1);
        if (rsetup < 0)
                return rsetup;
        if (rsb > 0 && sb == 1)
                info->secure_boot = BOOT_SECURE_BOOT_ENABLED;
        else if (rsetup > 0 && setup == 1)
                info->secure_boot = BOOT_SECURE_BOOT_SETUP;
        else if (rsb > 0)
                info->secure_boot = BOOT_SECURE_BOOT_DISABLED;

        uint16_t cur = 0;
        r = read_fixed(info, d, EFI_GUID_GLOBAL, EFIVAR_BOOT_CURRENT, &cur, 2);
        if (r < 0)
                return r;
        if (r > 0) {
                info->boot_current.number = cur;
                char name[9];
                efi_boot_option_name(cur, name);
                _cleanup_free_ void *od = NULL;
                size_t ol;
                r = read_var(info, d, EFI_GUID_GLOBAL, name, &od, &ol);
                if (r < 0)
                        return r;
                if (r > 0) {
                        struct efi_load_option o;
                        r = efi_load_option_parse(od, ol, &o);
                        if (r == -EBADMSG)
                                r = warn(info, "malformed EFI variable %s-%s: expected a load option, got %zu bytes",
                                         name, EFI_GUID_GLOBAL, ol);
                        else if (r >= 0) {
                                info->boot_current.description = TAKE_PTR(o.description);
                                info->boot_current.path = TAKE_PTR(o.file_path);
                                info->boot_current.part_guid = TAKE_PTR(o.part_guid);
                                efi_load_option_free(&o);
                        }
                        if (r < 0)
                                return r;
                }
        }

        if (info->loader_info) {
                if (startswith(info->loader_info, "systemd-boot "))
                        info->loader = BOOT_LOADER_SYSTEMD_BOOT;
                else if (startswith(info->loader_info, "GRUB "))
                        info->loader = BOOT_LOADER_GRUB;
                else
                        info->loader = BOOT_LOADER_OTHER;
        } else
                info->loader = boot_loader_from_path(info->boot_current.path);
        return 0;
}

int boot_detect(const struct paths *p, struct boot_info *ret) {
        struct boot_info info = { .platform_size = -1, .boot_current.number = -1 };
        *ret = info;
        if (!is_dir(p->sysfs) || (streq(p->sysfs, PATH_SYSFS_DEFAULT) && !is_fs(p->sysfs, SYSFS_MAGIC_NUMBER)))
                return -ENOMEDIUM;
        _cleanup_free_ char *efi = paths_sysfs(p, SYSFS_EFI_DIR);
        _cleanup_free_ char *size_path = paths_sysfs(p, SYSFS_FW_PLATFORM_SIZE);
        if (!efi || !size_path)
                return -ENOMEM;
        if (!is_dir(efi)) {
                info.platform = BOOT_PLATFORM_BIOS;
                *ret = info;
                return 0;
        }
        info.platform = BOOT_PLATFORM_UEFI;
        _cleanup_free_ char *size = NULL;
        if (read_first_line(size_path, 64, &size) >= 0) {
                char *end;
                long v = strtol(size, &end, 10);
                if (end != size && !*end && v > 0 && v <= 128)
                        info.platform_size = (int)v;
        }
        info.efivars = is_dir(p->efivars) &&
                       (!boot_efivars_is_default(p) || is_fs(p->efivars, EFIVARFS_MAGIC_NUMBER));
        int r = 0;
        if (info.efivars)
                r = detect_efi(p, &info);
        if (r < 0) {
                boot_info_free(&info);
                return r;
        }
        *ret = info;
        return 0;
}

static bool loader_interface(const struct boot_info *info) {
        return info->platform == BOOT_PLATFORM_UEFI && info->efivars && info->loader == BOOT_LOADER_SYSTEMD_BOOT;
}

bool boot_oneshot_usable(const struct boot_info *info) {
        return loader_interface(info) && (!info->has_features || (info->features & EFI_LOADER_FEATURE_ENTRY_ONESHOT));
}

bool boot_counting_usable(const struct boot_info *info) {
        return loader_interface(info) && info->has_features && (info->features & EFI_LOADER_FEATURE_BOOT_COUNTING);
}
